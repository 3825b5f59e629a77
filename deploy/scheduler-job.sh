#!/usr/bin/env bash
# Cloud Scheduler jobs for the metrics pipeline. See docs/operations.md, "Scheduling".
#
#   deploy/scheduler-job.sh daily              # the daily run: Scheduler -> Workflows (computes run_date) -> POST /runs?wait=true
#   deploy/scheduler-job.sh fixed 2024-01-15   # a job whose body carries one fixed run_date (backfill / pinned rerun)
#
# Run parameters (the PySpark job's flags) come from the environment:
#   GCS_PATH=gs://my-metrics-config/metrics.json DEPENDENCIES=daily ENV_NAME=PRD \
#   PARTITION_INFO_TABLE=my-proj.ops.partition_info RECON_TABLE=my-proj.audit.metrics_recon \
#   PROJECT_ID=my-proj deploy/scheduler-job.sh daily
# Optional: SCHEDULE (cron, default "0 6 * * *"), TIME_ZONE (default Etc/UTC), DAYS_BACK (default 0).
# Needs gcloud and jq (both in Cloud Shell).
set -euo pipefail
cd "$(dirname "$0")"
source ./env.sh
: "${GCS_PATH:?}" "${DEPENDENCIES:?}" "${ENV_NAME:?}" "${PARTITION_INFO_TABLE:?}" "${RECON_TABLE:?}"
SCHEDULE="${SCHEDULE:-0 6 * * *}"
TIME_ZONE="${TIME_ZONE:-Etc/UTC}"
DAYS_BACK="${DAYS_BACK:-0}"
WORKFLOW="${WORKFLOW:-metrics-daily-run}"

# The run parameters as POST /runs takes them, plus what the workflow needs.
parameters() { # [run_date]
  jq -n --arg gcs_path "$GCS_PATH" --arg dependencies "$DEPENDENCIES" --arg env "$ENV_NAME" \
    --arg partition_info_table "$PARTITION_INFO_TABLE" --arg recon_table "$RECON_TABLE" --arg run_date "${1:-}" \
    '{gcs_path: $gcs_path, dependencies: $dependencies, partition_info_table: $partition_info_table,
      env: $env, recon_table: $recon_table} + (if $run_date == "" then {} else {run_date: $run_date} end)'
}

create_or_update() { # <job name> <gcloud scheduler flags...>
  local job="$1"; shift
  if gcloud scheduler jobs describe "$job" --location="$REGION" --project="$PROJECT_ID" >/dev/null 2>&1; then
    # update takes the same flags, except that headers are replaced with --update-headers.
    gcloud scheduler jobs update http "$job" --location="$REGION" --project="$PROJECT_ID" "${@/#--headers=/--update-headers=}"
  else
    gcloud scheduler jobs create http "$job" --location="$REGION" --project="$PROJECT_ID" "$@"
  fi
}

case "${1:-}" in
  daily)
    gcloud workflows deploy "$WORKFLOW" --location="$REGION" --project="$PROJECT_ID" \
      --source=daily-run-workflow.yaml --service-account="$SCHEDULER_SA"
    argument=$(parameters | jq -c --arg url "$SERVICE_URL" --arg tz "$TIME_ZONE" --argjson back "$DAYS_BACK" \
      '. + {service_url: $url, time_zone: $tz, days_back: $back}')
    # The Workflows API takes the argument as a JSON string. Scheduler only starts the execution
    # (an OAuth call, answered at once); the workflow waits for the run and retries its own calls.
    create_or_update metrics-daily \
      --schedule="$SCHEDULE" --time-zone="$TIME_ZONE" \
      --uri="https://workflowexecutions.googleapis.com/v1/projects/$PROJECT_ID/locations/$REGION/workflows/$WORKFLOW/executions" \
      --http-method=POST --headers=Content-Type=application/json \
      --message-body="$(jq -cn --arg argument "$argument" '{argument: $argument}')" \
      --oauth-service-account-email="$SCHEDULER_SA" \
      --attempt-deadline=60s --max-retry-attempts=3 --min-backoff=30s --max-backoff=300s
    ;;
  fixed)
    run_date="${2:?usage: $0 fixed YYYY-MM-DD}"
    # Straight to the service with an OIDC ID token for its URL. Every firing runs this same date.
    # wait=true: 200 succeeded, 422 partial/failed (Scheduler records a failure and retries; the
    # retry carries the same X-CloudScheduler-JobName/-ScheduleTime, so the instance returns the
    # same run), 202 still running after METRICS_WAIT_MAX_MS (25 min, inside the 30 min deadline).
    create_or_update "metrics-run-$run_date" \
      --schedule="$SCHEDULE" --time-zone="$TIME_ZONE" \
      --uri="$SERVICE_URL/runs?wait=true" --http-method=POST \
      --headers=Content-Type=application/json \
      --message-body="$(parameters "$run_date" | jq -c .)" \
      --oidc-service-account-email="$SCHEDULER_SA" --oidc-token-audience="$SERVICE_URL" \
      --attempt-deadline=1800s --max-retry-attempts=2 --min-backoff=300s --max-backoff=900s --max-doublings=1
    echo "Created metrics-run-$run_date. Start it now with: gcloud scheduler jobs run metrics-run-$run_date --location=$REGION"
    echo "Pause or delete it afterwards, or it runs $run_date again on every firing of '$SCHEDULE'."
    ;;
  *)
    sed -n '2,14p' "$0"; exit 64 ;;
esac
