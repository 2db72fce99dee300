"""Demo data for the standalone site (`manage.py seed_demo`), never used by the programme itself.

- `seed`: `seed_demo`, the entry point, and the names the commands and tests use;
- `organisations`, `programmes`, `enrolments`, `logins` (with `two_factor`), `course`,
  `progress` (with `progress_plan`), `projects` and `barometer`: what each part of the demo
  seeds;
- `common`: reproducible randomness and Oslo times, shared by the parts;
- `curriculum`: LUP's modules in theory and practice, with answers and feedback;
- `names`: places, sectors, units and people's names;
- `project_ideas`: the text of the innovation projects, shared, reused and awarded.
"""
