-- Enrollments and withdrawals per year, and the withdrawal rate
-- (100 x withdrawals / enrollments of the same year).
WITH e AS (
  SELECT enrollment_year AS year, COUNT(*) AS enrollments FROM enrollments GROUP BY enrollment_year
),
w AS (
  SELECT withdrawal_year AS year, COUNT(*) AS withdrawals FROM withdrawals GROUP BY withdrawal_year
)
SELECT COALESCE(e.year, w.year) AS year,
       COALESCE(e.enrollments, 0) AS enrollments,
       COALESCE(w.withdrawals, 0) AS withdrawals,
       CASE WHEN e.enrollments > 0 THEN 100.0E0 * COALESCE(w.withdrawals, 0) / e.enrollments END AS withdrawal_rate
FROM e FULL OUTER JOIN w ON e.year = w.year
ORDER BY year
