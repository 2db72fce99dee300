"""Innovation projects, their canvas, benefits, reviews, reuse and the innovation prize.

The models belong to the `lup` app: `lup.apps.LupConfig.import_models` imports this package,
which imports every model module below, so each model registers when the registry populates.
Every name stays importable from `lup.innovation.models`, whichever module defines it:

- `programme_setup`: a programme's roadmap phases and canvas fields, with KS' defaults;
- `project`: the project, its phase changes, canvas versions and reviews;
- `benefits`: expected benefits, their follow-up measurements, phase updates and reminders;
- `reuse`: a unit reusing a published project ("stjæl og del");
- `prize`: the innovation prize's categories, nominations and jury scores.
"""

from .benefits import (
    MEASUREMENT_LIMIT,
    Benefit,
    BenefitClass,
    BenefitMeasurement,
    BenefitReminder,
    BenefitType,
    BenefitUpdate,
    MeasureUnit,
)
from .prize import DEFAULT_PRIZE_CATEGORIES, JuryScore, Nomination, PrizeCategory
from .programme_setup import DEFAULT_CANVAS_FIELDS, DEFAULT_PHASES, CanvasField, ProjectPhase
from .project import CanvasVersion, InnovationProject, Licence, PhaseChange, ProjectReview
from .reuse import ProjectReuse

__all__ = [
    "DEFAULT_CANVAS_FIELDS",
    "DEFAULT_PHASES",
    "DEFAULT_PRIZE_CATEGORIES",
    "MEASUREMENT_LIMIT",
    "Benefit",
    "BenefitClass",
    "BenefitMeasurement",
    "BenefitReminder",
    "BenefitType",
    "BenefitUpdate",
    "CanvasField",
    "CanvasVersion",
    "InnovationProject",
    "JuryScore",
    "Licence",
    "MeasureUnit",
    "Nomination",
    "PhaseChange",
    "PrizeCategory",
    "ProjectPhase",
    "ProjectReuse",
    "ProjectReview",
]
