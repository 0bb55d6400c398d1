* every section, integer markers, ranges and bound types
NAME          SMALL
OBJSENSE
    MAX
ROWS
 N  obj
 L  c1
 G  c2
 E  c3
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    x         obj       1.5        c1        2
    x         c2        -1
    MARKER                 'MARKER'                 'INTEND'
    y         obj       -2         c1        1e-3
    y         c3        4          c2        3.25
    z         obj       1          c3        -1
RHS
    RHS       obj       -7         c1        10
    RHS       c2        1          c3        2
RANGES
    RNG       c1        4          c3        -3
BOUNDS
 UP BND       x         8
 LO BND       y         -1.5
 MI BND       z
 BV BND       x
 FR BND       y
ENDATA
