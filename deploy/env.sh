# Shared names for deploy/*.sh. Override any of them in the environment before sourcing.
# Defaults match cloudbuild.yaml's substitutions.
: "${PROJECT_ID:?set PROJECT_ID}"
REGION="${REGION:-us-central1}"
SERVICE="${SERVICE:-metrics-pipeline}"
REPOSITORY="${REPOSITORY:-metrics}"
BQ_LOCATION="${BQ_LOCATION:-US}"
RUNTIME_SA="${RUNTIME_SA:-metrics-pipeline@${PROJECT_ID}.iam.gserviceaccount.com}"
SCHEDULER_SA="${SCHEDULER_SA:-metrics-scheduler@${PROJECT_ID}.iam.gserviceaccount.com}"
PROJECT_NUMBER="${PROJECT_NUMBER:-$(gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)')}"
# Cloud Run's deterministic URL; ID tokens for the service carry it as their audience.
SERVICE_URL="${SERVICE_URL:-https://${SERVICE}-${PROJECT_NUMBER}.${REGION}.run.app}"
