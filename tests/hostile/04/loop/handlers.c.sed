s|lab_print(ctx, "%" PRIu32 "\\n", value);|for (;;) ;|
