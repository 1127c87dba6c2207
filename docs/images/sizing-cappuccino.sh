#!/usr/bin/env bash
# Redraws docs/images/sizing-cappuccino.png, the README's plot in "Sizing a validator set":
# throughput (decided payload, MB/s) against the number of validators on the Cappuccino
# set-up (scenarios/testnet-cappuccino.ini), host to host (direct) and through Push-CDN with
# libp2p as the fallback (combined), 3 seeds per point, bars the 95% confidence interval.
# The sweep's numbers are kept beside the image (sizing-cappuccino.dat). Needs gnuplot.
#
# usage: docs/images/sizing-cappuccino.sh [BUILD_DIR]    (about a minute on 2 cores)
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/shotglass" sweep scenarios/testnet-cappuccino.ini \
  --vary consensus.nodes=10,100,200,500,1000 --vary network.transport=direct,combined \
  --seeds 3 --jobs 2 --quiet --out "$out/sweep"
cp "$out/sweep/plots/sweep_payload_mb_per_s_vs_consensus.nodes.dat" \
  docs/images/sizing-cappuccino.dat
cd docs/images
gnuplot <<'GP'
reset
set encoding utf8
set datafile missing "NaN"
set grid back lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal pngcairo size 800,480 noenhanced font "sans,10"
set output 'sizing-cappuccino.png'
DATA = 'sizing-cappuccino.dat'
set title 'Cappuccino set-up (testnet-cappuccino.ini): throughput against validators, 3 seeds a point'
set xlabel 'validators (consensus.nodes)'
set ylabel 'decided payload, MB/s (bars: 95% confidence interval)'
set key inside right top vertical Left reverse
set offsets graph 0.05, graph 0.05, graph 0.1, 0
set logscale x
set yrange [0:*]
set style data yerrorlines
stats DATA using 1 nooutput
N = STATS_blocks - 1
array colors[2] = ["#4575b4", "#d73027"]
array types[2] = [7, 5]
plot DATA index 0 using 1:2 with dots lc rgb "#ff000000" notitle, \
     for [i=1:N] DATA index i using 1:2:3:xtic(4) lw 2 pt types[(i-1)%2+1] ps 1.2 \
         lc rgb colors[(i-1)%2+1] title columnheader(1)
unset output
GP
echo "wrote docs/images/sizing-cappuccino.png and sizing-cappuccino.dat"
