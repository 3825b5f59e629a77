#!/usr/bin/env bash
# One-time setup: service accounts, the Artifact Registry repository, and the least privilege the
# service needs. Re-running it is harmless (bindings are idempotent, existing accounts are kept).
#
#   PROJECT_ID=my-proj \
#   SOURCE_DATASETS="my-proj.sales my-proj.ops" \     # datasets metric SQL reads, and the partition info table's
#   WRITE_DATASETS="my-proj.metrics my-proj.audit" \  # datasets of target tables and of the recon table
#   CONFIG_BUCKET=my-metrics-config \
#   deploy/iam.sh
#
# Run the last part (run.invoker) after the first deploy: the service must exist to bind on it.
set -euo pipefail
cd "$(dirname "$0")"
source ./env.sh
: "${SOURCE_DATASETS:?space-separated project.dataset list the metric SQL reads}"
: "${WRITE_DATASETS:?space-separated project.dataset list of target and recon tables}"
: "${CONFIG_BUCKET:?bucket holding the metric configs, without gs://}"

create_sa() { # <email> <display name>
  gcloud iam service-accounts describe "$1" --project="$PROJECT_ID" >/dev/null 2>&1 ||
    gcloud iam service-accounts create "${1%%@*}" --project="$PROJECT_ID" --display-name="$2"
}
create_sa "$RUNTIME_SA" "Metrics pipeline (Cloud Run service identity)"
create_sa "$SCHEDULER_SA" "Metrics pipeline caller (Cloud Scheduler / Workflows)"

gcloud artifacts repositories describe "$REPOSITORY" --location="$REGION" --project="$PROJECT_ID" >/dev/null 2>&1 ||
  gcloud artifacts repositories create "$REPOSITORY" --repository-format=docker --location="$REGION" --project="$PROJECT_ID"

# --- the service's own identity: nothing more than this ---
# Run query and DML jobs (billed to this project).
gcloud projects add-iam-policy-binding "$PROJECT_ID" --condition=None --quiet \
  --member="serviceAccount:$RUNTIME_SA" --role=roles/bigquery.jobUser >/dev/null

grant_dataset() { # <role> <project.dataset>
  bq query --project_id="$PROJECT_ID" --location="$BQ_LOCATION" --use_legacy_sql=false \
    "GRANT \`$1\` ON SCHEMA \`$2\` TO 'serviceAccount:$RUNTIME_SA'"
}
# Read what metric SQL reads, and the partition info table.
for dataset in $SOURCE_DATASETS; do grant_dataset roles/bigquery.dataViewer "$dataset"; done
# Overwrite target rows, append recon rows, read recon rows for GET /runs, read table schemas.
for dataset in $WRITE_DATASETS; do grant_dataset roles/bigquery.dataEditor "$dataset"; done
# Read the metric configs.
gcloud storage buckets add-iam-policy-binding "gs://$CONFIG_BUCKET" \
  --member="serviceAccount:$RUNTIME_SA" --role=roles/storage.objectViewer >/dev/null

# --- the caller: Cloud Scheduler's job and the daily workflow run as this account ---
# Start workflow executions (the daily job) ...
gcloud projects add-iam-policy-binding "$PROJECT_ID" --condition=None --quiet \
  --member="serviceAccount:$SCHEDULER_SA" --role=roles/workflows.invoker >/dev/null
# ... and write the workflow's logs.
gcloud projects add-iam-policy-binding "$PROJECT_ID" --condition=None --quiet \
  --member="serviceAccount:$SCHEDULER_SA" --role=roles/logging.logWriter >/dev/null

# --- after the first deploy: who may call the service (Cloud Run IAM, --no-allow-unauthenticated) ---
if gcloud run services describe "$SERVICE" --region="$REGION" --project="$PROJECT_ID" >/dev/null 2>&1; then
  gcloud run services add-iam-policy-binding "$SERVICE" --region="$REGION" --project="$PROJECT_ID" \
    --member="serviceAccount:$SCHEDULER_SA" --role=roles/run.invoker >/dev/null
else
  echo "Service $SERVICE not deployed yet: run this script again after the first deploy to grant roles/run.invoker." >&2
fi

# Deploying (Cloud Build's service account, or whoever runs gcloud builds submit) additionally needs
# roles/run.admin, roles/artifactregistry.writer, and roles/iam.serviceAccountUser on $RUNTIME_SA;
# creating the scheduler job needs roles/iam.serviceAccountUser on $SCHEDULER_SA. Not granted here:
# those are your deployers, not the service.
echo "IAM set up for $RUNTIME_SA (service) and $SCHEDULER_SA (caller)."
