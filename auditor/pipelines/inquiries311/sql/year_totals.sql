-- Inquiries per year, the months the extract covers, and the change against the
-- same months of the year before (2024 is a partial extract: compare like for like).
WITH months AS (
  SELECT year, month, SUM(records) AS n FROM inquiries GROUP BY year, month
),
comparable AS (
  SELECT c.year, c.month, c.n AS n, p.n AS prev_n
  FROM months c JOIN months p ON p.year = c.year - 1 AND p.month = c.month
),
yoy AS (
  SELECT year, COUNT(*) AS months_compared, SUM(n) AS n, SUM(prev_n) AS prev_n FROM comparable GROUP BY year
)
SELECT m.year,
       COUNT(*) AS months,
       CAST(SUM(m.n) AS BIGINT) AS inquiries,
       MAX(y.months_compared) AS months_compared,
       CAST(MAX(y.prev_n) AS BIGINT) AS previous_inquiries_same_months,
       MAX(CASE WHEN y.prev_n > 0 THEN 100.0E0 * (y.n - y.prev_n) / y.prev_n END) AS change_pct
FROM months m LEFT JOIN yoy y ON y.year = m.year
GROUP BY m.year
ORDER BY m.year
