-- depends:
-- Sick-leave hours added up exactly. The student-months of int_elevmaaneder come in no
-- fixed order, so hours are added up as decimals, not as floating-point numbers whose last
-- digit depends on the order: the same data give the same figures each load.
-- DECIMAL(18, 6) holds any month's hours: the contract refuses more than 744.
CREATE OR REPLACE MACRO eksakt_sum(timer) AS sum(timer::DECIMAL(18, 6))::DOUBLE;
