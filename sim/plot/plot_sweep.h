/*
 * The plots of a sweep's results folder: for every metric and every varied key, the metric's
 * mean over the seeds, with its 95% confidence interval as error bars, against the key's
 * values; one line per combination of the other keys' values. The plot of metric M against
 * key K is sweep_M_vs_K (files as for the run plots, see plot_run.h).
 */
#ifndef SHOTGLASS_SIM_PLOT_PLOT_SWEEP_H
#define SHOTGLASS_SIM_PLOT_PLOT_SWEEP_H

#include "sim/plot/csv.h"

#include <glib.h>

/* The layout of a sweep.csv: keys are columns 1 .. seeds - 1; metric i has its mean, sd and
 * ci95 in columns seeds + 1 + 3 i, + 1 and + 2. */
typedef struct SimPlotSweepSchema {
    guint seeds;        /* the column `seeds` */
    GPtrArray *metrics; /* char *: the metric names */
} SimPlotSweepSchema;

/* Checks the header of `csv`, a sweep.csv. Fills `schema` (release with
 * sim_plot_sweep_schema_clear) or fails with SIM_PLOT_ERROR_INPUT naming the file and column. */
gboolean sim_plot_sweep_schema(const SimCsv *csv, SimPlotSweepSchema *schema, GError **error);
void sim_plot_sweep_schema_clear(SimPlotSweepSchema *schema);

/* The names (without extension) of the sweep plots of `csv`, a sweep.csv, in the order they
 * are drawn (metric by metric, then key by key); NULL with SIM_PLOT_ERROR_INPUT when its
 * header does not follow the schema. Free with g_ptr_array_unref. */
GPtrArray *sim_plot_sweep_names(const SimCsv *csv, GError **error);

/*
 * Draws the sweep plots of dir/sweep.csv into dir/plots. Its columns: `point`, one column per
 * varied scenario key (e.g. `consensus.nodes`), `seeds`, then for every metric M `M_mean`,
 * `M_sd` and `M_ci95` (half-width of the 95% confidence interval). A key whose values are all
 * numbers is a numeric axis (logarithmic when its values span a factor of 20 or more); other
 * keys are categories in the order they first appear. Errors as for sim_plot_run_draw, and
 * SIM_PLOT_ERROR_INPUT for a header that breaks the schema.
 */
gboolean sim_plot_sweep_draw(const char *dir, GError **error);

#endif
