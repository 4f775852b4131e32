-- Inquiries and % share per department and year, against the year's real total
-- (never a hard-coded total): the shares of a year sum to 100.
SELECT year,
       department,
       CAST(SUM(records) AS BIGINT) AS inquiries,
       100.0E0 * SUM(records) / SUM(SUM(records)) OVER (PARTITION BY year) AS share_pct
FROM inquiries
GROUP BY year, department
ORDER BY year, inquiries DESC, department
