"""Innovation projects: each unit's practice half of the programme, its benefits ("hva er
gevinsten?"), facilitators' review, the "stjæl og del" catalogue and the innovation prize.

The models (`lup.innovation.models`) are loaded by `lup.apps.LupConfig.import_models`, so
they belong to the `lup` app.
"""
