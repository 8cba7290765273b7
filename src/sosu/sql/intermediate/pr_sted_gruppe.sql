-- depends:
-- A metric asked for every site at once (pr_sted) keeps the site as its first key, so
-- one query serves what would otherwise be one query per site. Given `hver_for_sig`,
-- only those sites (a site manager's few) keep their own key and the other chosen
-- sites add up to one group under a NULL key (the rest, which the viewer may not
-- see); a short list, since list_contains per row is slow for hundreds of sites.
-- Without pr_sted the key is NULL and the chosen sites add up to one group.
CREATE OR REPLACE MACRO pr_sted_gruppe(sted, pr_sted, hver_for_sig) AS
CASE WHEN pr_sted AND (hver_for_sig IS NULL OR list_contains(hver_for_sig, sted))
        THEN sted
END;
