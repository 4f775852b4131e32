-- Inquiries and % share per department x channel and year, against the year's real total.
SELECT year,
       department,
       channel,
       CAST(SUM(records) AS BIGINT) AS inquiries,
       100.0E0 * SUM(records) / SUM(SUM(records)) OVER (PARTITION BY year) AS share_pct
FROM inquiries
GROUP BY year, department, channel
ORDER BY year, inquiries DESC, department, channel
