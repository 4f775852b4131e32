-- Rows per colour, most frequent first.
select colour, count(*) as n
from colours
group by colour
order by n desc, colour
