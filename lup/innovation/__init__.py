"""Innovation projects: each unit's practice half of the programme, its benefits ("hva er
gevinsten?"), facilitators' review, the "stjæl og del" catalogue and the innovation prize.

The models live here and are imported by `lup.models`, so they belong to the `lup` app.
"""
