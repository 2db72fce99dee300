"""The programme's own report (issue 22, part 4): one page, in HTML and as an A4 PDF, that a
programme administrator can hand to politicians.

For a chosen period it shows units completed against the target and the forecast (the
dashboard's selector, lup.selectors.programme_target_progress), the innovation projects by
phase and by sector, their benefits as reported by the units (lup.innovation.selectors
.benefit_rollup), spreading (projects reused across units and municipalities) and the
innovation prize's winners. A page above the features (it reads lup.innovation), beside the
other pages: see the layers contract in pyproject.toml.
"""
