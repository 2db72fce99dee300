"""Privacy: the register of personal data and what is built on it.

`register` declares every model that holds data about a person; `export` gives a person
everything the register finds about them (JSON and an archive with their files);
`anonymise` removes a departed person for good; `retention` deletes what has outlived its
period; `statement` writes the privacy statement and the records of processing activities
from the register and the organisation's settings.
"""
