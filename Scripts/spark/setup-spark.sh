#!/usr/bin/env bash
# Installs what the Spark driver needs: Java 17 (Debian's openjdk-17-jre-headless) and pyspark (pip).
# Idempotent and quick when both are present. Usage: bash Scripts/spark/setup-spark.sh
set -euo pipefail

have_java() { command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; }
if ! have_java; then
    packages=(openjdk-17-jre-headless)
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    elif sudo -n true 2>/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    else
        echo "setup-spark: Java 17 is missing; run: sudo apt-get install ${packages[*]}" >&2
        exit 1
    fi
fi
if ! python3 -c 'import pyspark' 2>/dev/null; then
    python3 -m pip install --quiet 'pyspark>=3.5' || {
        echo "setup-spark: pip could not install pyspark; run: python3 -m pip install pyspark" >&2
        exit 1
    }
fi
command -v spark-submit >/dev/null 2>&1 || [ -x "$(python3 -c 'import pyspark, os; print(os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit"))')" ] || {
    echo "setup-spark: pyspark is installed but spark-submit is not found" >&2
    exit 1
}
echo "setup-spark: $(java -version 2>&1 | head -n 1); pyspark $(python3 -c 'import pyspark; print(pyspark.__version__)')" >&2
