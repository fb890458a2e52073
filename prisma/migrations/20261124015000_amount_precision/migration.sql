-- Amounts are exact decimals with at most 2 places and up to 36 integer digits (the parser
-- dead-letters larger ones): the same DECIMAL(38,2) as the lake and Redshift.
ALTER TABLE "commerce"."attributed_checkouts" ALTER COLUMN "total_amount" SET DATA TYPE DECIMAL(38,2);
