-- Year-over-year change per department over the months both years cover.
WITH months AS (
  SELECT DISTINCT year, month FROM inquiries
),
comparable AS (
  SELECT c.year, c.month FROM months c JOIN months p ON p.year = c.year - 1 AND p.month = c.month
),
cur AS (
  SELECT i.year, i.department, SUM(i.records) AS n
  FROM inquiries i JOIN comparable m ON i.year = m.year AND i.month = m.month
  GROUP BY i.year, i.department
),
prev AS (
  SELECT m.year, i.department, SUM(i.records) AS n
  FROM inquiries i JOIN comparable m ON i.year = m.year - 1 AND i.month = m.month
  GROUP BY m.year, i.department
)
SELECT COALESCE(c.year, p.year) AS year,
       COALESCE(c.department, p.department) AS department,
       CAST(COALESCE(c.n, 0) AS BIGINT) AS inquiries_same_months,
       CAST(COALESCE(p.n, 0) AS BIGINT) AS previous_inquiries_same_months,
       CASE WHEN p.n > 0 THEN 100.0E0 * (COALESCE(c.n, 0) - p.n) / p.n END AS change_pct
FROM cur c FULL OUTER JOIN prev p ON c.year = p.year AND c.department = p.department
ORDER BY year, department
