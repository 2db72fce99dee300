"""Demo data for the standalone site (`manage.py seed_demo`), never used by the programme itself.

- `seed`: `seed_demo`, the demo logins and the demo authenticator secret;
- `curriculum`: LUP's modules in theory and practice, with answers and feedback;
- `names`: places, sectors, units and people's names;
- `projects`: every team's innovation project, shared, reused and awarded.
"""
