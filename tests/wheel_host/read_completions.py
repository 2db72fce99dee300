"""Run with the Wagtail site's `manage.py shell`: the completions and H5P attempts stored in
the site's database. Prints one JSON object."""

import json

from courses.models import ActivityCompletion, H5PAttempt

print(
    json.dumps(
        {
            "completions": [
                list(row)
                for row in ActivityCompletion.objects.values_list(
                    "user__username", "activity__title", "source"
                )
            ],
            "attempts": [
                list(row)
                for row in H5PAttempt.objects.values_list(
                    "user__username", "best_score_raw", "best_score_max"
                )
            ],
        }
    )
)
