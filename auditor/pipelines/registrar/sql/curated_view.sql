-- The curated view behind the original query: one row per valid application
-- with its year's ACR. Names come from the curated (masked) table.
WITH r AS (
  SELECT received_year,
         100.0E0 * SUM(CASE WHEN applicationcompleted THEN 1 ELSE 0 END) / COUNT(*) AS acr
  FROM applications
  GROUP BY received_year
)
SELECT a.studentid, a.firstname, a.lastname, a.received_year, r.acr
FROM applications a JOIN r ON r.received_year = a.received_year
ORDER BY a.received_year, a.studentid, a.applicationid
