NAME          KNAPSACK15
* A 0/1 knapsack with 15 items; capacity 102; optimum 314 (brute force over 2^15 subsets).
OBJSENSE
    MAX
ROWS
 N  value
 L  weight
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    item0      value     9   weight    25
    item1      value     20   weight    14
    item2      value     10   weight    30
    item3      value     40   weight    8
    item4      value     32   weight    9
    item5      value     8   weight    39
    item6      value     57   weight    11
    item7      value     41   weight    28
    item8      value     12   weight    8
    item9      value     19   weight    37
    item10     value     45   weight    18
    item11     value     45   weight    7
    item12     value     42   weight    10
    item13     value     8   weight    32
    item14     value     41   weight    31
    MARKER                 'MARKER'                 'INTEND'
RHS
    RHS       weight    102
BOUNDS
 UP BND       item0      1
 UP BND       item1      1
 UP BND       item2      1
 UP BND       item3      1
 UP BND       item4      1
 UP BND       item5      1
 UP BND       item6      1
 UP BND       item7      1
 UP BND       item8      1
 UP BND       item9      1
 UP BND       item10     1
 UP BND       item11     1
 UP BND       item12     1
 UP BND       item13     1
 UP BND       item14     1
ENDATA
