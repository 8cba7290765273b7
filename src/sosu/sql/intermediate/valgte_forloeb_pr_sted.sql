-- depends: pr_sted_gruppe, valgte_forloeb
-- Students within a restriction, each under the site key a metric counts them by
-- (pr_sted_gruppe): where every count of students per site starts.
CREATE OR REPLACE MACRO valgte_forloeb_pr_sted(
    steder, uddannelser, pr_sted, hver_for_sig
) AS TABLE
    SELECT * REPLACE (pr_sted_gruppe(oplaeringssted, pr_sted, hver_for_sig) AS oplaeringssted)
    FROM valgte_forloeb(steder, uddannelser);
