"""The unit's innovation barometer: a survey a unit's team answers when its cohort starts,
at its end and at a follow-up, and the results that show what the programme changed."""
