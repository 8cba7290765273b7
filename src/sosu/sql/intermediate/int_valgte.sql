-- Restriction shared by every metric: NULL means all sites / both educations.
CREATE OR REPLACE MACRO er_valgt(vaerdi, valgte) AS
    valgte IS NULL OR list_contains(valgte, vaerdi);

-- Students, cohort counts and sick-leave hours within a restriction: every metric starts
-- here, so a site or education restriction is defined once and cannot be forgotten.
CREATE OR REPLACE MACRO valgte_forloeb(steder, uddannelser) AS TABLE
SELECT * FROM int_elevforloeb
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_kohorter(steder, uddannelser) AS TABLE
SELECT * FROM int_kohorter
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_sygefravaer_maaned(steder, uddannelser) AS TABLE
SELECT * FROM int_sygefravaer_maaned
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

CREATE OR REPLACE MACRO valgte_sygefravaer_aar(steder, uddannelser) AS TABLE
SELECT * FROM int_sygefravaer_aar
WHERE er_valgt(oplaeringssted, steder) AND er_valgt(uddannelse, uddannelser);

-- A metric asked for every site at once (pr_sted) keeps the site as its first key, so
-- one query serves what would otherwise be one query per site. Given `hver_for_sig`,
-- only those sites (a site manager's few) keep their own key and the other chosen
-- sites add up to one group under a NULL key (the rest, which the viewer may not
-- see); a short list, since list_contains per row is slow for hundreds of sites.
-- Without pr_sted the key is NULL and the chosen sites add up to one group.
CREATE OR REPLACE MACRO pr_sted_gruppe(sted, pr_sted, hver_for_sig) AS
    CASE WHEN pr_sted AND (hver_for_sig IS NULL OR list_contains(hver_for_sig, sted))
         THEN sted END;
