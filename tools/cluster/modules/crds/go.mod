// Pins the upstream projects whose CustomResourceDefinitions the test control plane installs, at the
// versions the infrastructure app deploys; their module zips carry the CRD manifests. Nothing is built
// from here: tools/cluster downloads these modules (checked against go.sum) and reads their CRD files.
module meetscale.local/tools/crds

go 1.24.0

require (
	// cert-manager; CRDs in deploy/crds/. apps/infra now deploys v1.21.2 (ADDON_CHARTS.certManager): this pin follows
	// it once the test control plane is re-verified with the newer CRDs (issue 11).
	github.com/cert-manager/cert-manager v1.18.2
	// The Prometheus Operator kube-prometheus-stack 75.15.0 shipped; CRDs in example/prometheus-operator-crd/.
	// apps/infra now deploys v0.93.1 (prometheus-operator-crds 31.0.1): this pin follows it (issue 11).
	github.com/prometheus-operator/prometheus-operator v0.83.0
	// Gateway API, standard channel; CRDs in config/crd/standard/.
	sigs.k8s.io/gateway-api v1.4.1
)
