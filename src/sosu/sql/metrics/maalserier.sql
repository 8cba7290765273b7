-- depends: ansaettelser, kohorter, sygefravaer_pr_aar, wilson
-- One time series per target metric, in one shape: (metric, uddannelse, aar,
-- periode, taeller, naevner, vaerdi, nedre, oevre, endelig). uddannelse NULL = both.
-- `endelig` marks values that can no longer change: a finished cohort, a past year.
CREATE OR REPLACE MACRO maalserier(steder) AS TABLE
    WITH
    kohorter AS (SELECT * FROM kohorter(steder, NULL)),

    sygefravaer_aar AS (SELECT * FROM sygefravaer_pr_aar(steder, NULL)),

    ansaettelser AS (SELECT * FROM ansaettelser(steder, NULL)),

    seneste_aar AS (SELECT year(data_pr) AS aar FROM indlaesning),

    -- Main-course dropout and hired after graduation, each of a cohort's hired.
    kohorte_andele AS (
        SELECT
            metric,
            uddannelse,
            aargang AS aar,
            'årgang ' || aargang AS periode,
            taeller,
            ansatte AS naevner,
            afsluttet AS endelig
        FROM (
            UNPIVOT kohorter ON frafald_hovedforloeb, ansat_efter
            INTO NAME metric VALUE taeller
        )
    ),

    -- The strategy's 41.4 %: the latest finished cohort of each education together.
    seneste_afsluttede AS (
        SELECT * FROM kohorter
        WHERE afsluttet
        QUALIFY aargang = max(aargang) OVER (PARTITION BY uddannelse)
    ),

    ansat_efter_samlet AS (
        SELECT
            'ansat_efter' AS metric,
            NULL AS uddannelse,
            max(aargang) AS aar,
            string_agg(uddannelse || ' ' || aargang, ' + ' ORDER BY uddannelse DESC) AS periode,
            sum(ansat_efter) AS taeller,
            sum(ansatte) AS naevner,
            TRUE AS endelig
        FROM seneste_afsluttede
        HAVING count(*) > 0
    ),

    syg AS (
        SELECT
            'sygefravaer' AS metric,
            NULL AS uddannelse,
            aar,
            aar::VARCHAR AS periode,
            syge_timer AS taeller,
            planlagte_timer AS naevner,
            aar < (SELECT aar FROM seneste_aar) AS endelig
        FROM sygefravaer_aar
    ),

    ansat_pr_aar AS (
        SELECT
            uddannelse,
            aar,
            sum(ansatte) AS ansatte,
            sum(intern_ufaglaert) AS intern_ufaglaert,
            sum(intern_ssh) AS intern_ssh
        FROM ansaettelser
        GROUP BY GROUPING SETS ((uddannelse, aar), (aar))
    ),

    optaelling AS (
        UNPIVOT ansat_pr_aar ON ansatte, intern_ufaglaert, intern_ssh
        INTO NAME metric VALUE taeller
    ),

    antal AS (
        SELECT
            metric,
            uddannelse,
            aar,
            aar::VARCHAR AS periode,
            taeller,
            NULL AS naevner,
            aar < (SELECT aar FROM seneste_aar) AS endelig
        FROM optaelling
    ),

    serier AS (
        SELECT
            *,
            'andel' AS slags
        FROM kohorte_andele
        UNION ALL BY NAME
        SELECT
            *,
            'andel' AS slags
        FROM ansat_efter_samlet
        UNION ALL BY NAME
        SELECT
            *,
            'timer' AS slags
        FROM syg
        UNION ALL BY NAME
        SELECT
            *,
            'antal' AS slags
        FROM antal
    ),

    -- A share of students has a binomial interval; sick leave is hours over hours, not
    -- students over students (no interval); a count is its own value.
    final AS (
        SELECT
            metric,
            uddannelse,
            aar,
            periode,
            taeller,
            naevner,
            CASE WHEN slags = 'antal' THEN taeller ELSE taeller / naevner END AS vaerdi,
            CASE WHEN slags = 'andel' THEN wilson(taeller, naevner)[1] END AS nedre,
            CASE WHEN slags = 'andel' THEN wilson(taeller, naevner)[2] END AS oevre,
            endelig
        FROM serier
    )

    SELECT * FROM final
    ORDER BY metric, uddannelse NULLS FIRST, aar;
