-- depends:
-- Wilson score interval (95 %) for k of n, as [nedre, øvre]: honest bounds on small
-- cohorts. Both bounds come from one call: DuckDB expands a macro at every use while
-- binding, and a cohort query with twelve single-bound calls spent half its time there.
CREATE OR REPLACE MACRO wilson(k, n) AS
CASE
    WHEN n > 0 THEN list_transform(
            [-1.96, 1.96],
            LAMBDA z: (
                k / n + z ^ 2 / (2 * n)
                + z * sqrt(k / n * (1 - k / n) / n + z ^ 2 / (4 * n ^ 2))
            ) / (1 + z ^ 2 / n)
        )
END;
