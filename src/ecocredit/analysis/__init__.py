"""Analysis (issue 14): what-if reforms, back-testing of grades, and the analyst's pages.

- :mod:`.reform`: reform files (a baseline ruleset plus overrides, no code), applied to the
  ruleset's YAML data and then validated and linted exactly like a ruleset;
- :mod:`.whatif`: baseline and reform scored on one validation of the inputs; per-firm changes
  with the rules that made them, the transition matrix, counts, consequences;
- :mod:`.backtest`: grades of one period against adverse records of a later one (scikit-learn's
  ROC AUC, KS, Brier; calibration, lift, bootstrap intervals), several rulesets side by side;
- :mod:`.report`, :mod:`.page`, :mod:`.charts`: self-contained HTML pages (inline SVG drawn with
  matplotlib) and workbooks with the same tables.

scikit-learn and matplotlib are imported when an analysis runs, not with ``import ecocredit``.
"""
