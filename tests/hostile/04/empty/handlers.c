/* An empty solution: no handler at all. */
