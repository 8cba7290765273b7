-- Wilson score interval (95 %) for k of n: honest bounds on small cohorts.
CREATE OR REPLACE MACRO wilson_nedre(k, n) AS
    CASE WHEN n > 0 THEN
        (k / n + 1.96 ^ 2 / (2 * n)
         - 1.96 * sqrt(k / n * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
        / (1 + 1.96 ^ 2 / n)
    END;
CREATE OR REPLACE MACRO wilson_oevre(k, n) AS
    CASE WHEN n > 0 THEN
        (k / n + 1.96 ^ 2 / (2 * n)
         + 1.96 * sqrt(k / n * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)))
        / (1 + 1.96 ^ 2 / n)
    END;
