-- depends:
-- Early warning, rule stigende: each of the last three months higher than the one before,
-- the newest above the threshold (caught before the three-month share gets there).
-- Stored with every student-month (int_elevmaaneder), so it is a model before that table.
CREATE OR REPLACE MACRO graense_stigende(foer_2, foer_1, nu) AS
CASE WHEN foer_2 < foer_1 AND foer_1 < nu THEN nu END;
