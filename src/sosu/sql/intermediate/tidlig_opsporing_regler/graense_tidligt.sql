-- depends:
-- Early warning, rule tidligt_tegn: in the early phases, where most dropouts happen, half
-- the bar: the last three months above half the threshold.
CREATE OR REPLACE MACRO graense_tidligt(tidlig_fase, andel_3_mdr) AS
CASE WHEN tidlig_fase THEN 2 * andel_3_mdr END;
