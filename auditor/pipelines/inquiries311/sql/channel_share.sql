-- Inquiries and % share per channel and year, against the year's real total.
SELECT year,
       channel,
       CAST(SUM(records) AS BIGINT) AS inquiries,
       100.0E0 * SUM(records) / SUM(SUM(records)) OVER (PARTITION BY year) AS share_pct
FROM inquiries
GROUP BY year, channel
ORDER BY year, inquiries DESC, channel
