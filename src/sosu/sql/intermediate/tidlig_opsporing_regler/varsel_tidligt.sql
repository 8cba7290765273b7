-- depends: graense_tidligt
-- Is the student-month listed by rule tidligt_tegn at threshold `graense`?
CREATE OR REPLACE MACRO varsel_tidligt(tidlig_fase, andel_3_mdr, graense) AS
coalesce(graense_tidligt(tidlig_fase, andel_3_mdr) > graense, FALSE);
