-- depends: graense_hoejt
-- Is the student-month listed by rule hoejt at threshold `graense`?
CREATE OR REPLACE MACRO varsel_hoejt(andel_3_mdr, graense) AS
coalesce(graense_hoejt(andel_3_mdr) > graense, FALSE);
