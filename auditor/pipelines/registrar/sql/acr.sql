-- Application completion rate per received year:
-- ACR = 100 x completed applications / all valid applications received that year
-- (after de-duplication and removal of records missing critical fields).
SELECT received_year,
       COUNT(*) AS applications,
       CAST(SUM(CASE WHEN applicationcompleted THEN 1 ELSE 0 END) AS BIGINT) AS completed,
       100.0E0 * SUM(CASE WHEN applicationcompleted THEN 1 ELSE 0 END) / COUNT(*) AS acr
FROM applications
GROUP BY received_year
ORDER BY received_year
