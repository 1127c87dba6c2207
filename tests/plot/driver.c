/*
 * A stand-in for `shotglass run`, `plot` and `report` until sim/main.c dispatches to the last
 * two: `driver COMMAND ...` calls the same entry points with the same argv. check_plot.py runs
 * it (or shotglass itself, once it knows the commands).
 */
#include "sim/plot.h"
#include "sim/report.h"
#include "sim/run_cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return sim_run_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "plot") == 0) return sim_plot_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "report") == 0) return sim_report_main(argc - 1, argv + 1);
    fprintf(stderr, "usage: %s run|plot|report ...\n", argv[0]);
    return 2;
}
