// Pins the upstream projects whose CustomResourceDefinitions the test control plane installs, at the
// versions the infrastructure app deploys; their module zips carry the CRD manifests. Nothing is built
// from here: tools/cluster downloads these modules (checked against go.sum) and reads their CRD files.
module meetscale.local/tools/crds

go 1.24.0

require (
	// cert-manager: the chart version apps/infra pins (ADDON_CHARTS.certManager); CRDs in deploy/crds/.
	github.com/cert-manager/cert-manager v1.18.2
	// The Prometheus Operator kube-prometheus-stack 75.15.0 ships (apps/infra ADDON_CHARTS.kubePrometheusStack);
	// CRDs in example/prometheus-operator-crd/.
	github.com/prometheus-operator/prometheus-operator v0.83.0
	// Gateway API, standard channel; CRDs in config/crd/standard/.
	sigs.k8s.io/gateway-api v1.4.1
)
