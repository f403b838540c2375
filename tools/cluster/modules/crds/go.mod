// Pins the upstream projects whose CustomResourceDefinitions the test control plane installs, at the
// versions the infrastructure app deploys; their module zips carry the CRD manifests. Nothing is built
// from here: tools/cluster downloads these modules (checked against go.sum) and reads their CRD files.
module meetscale.local/tools/crds

go 1.24.0

require (
	// cert-manager, as apps/infra deploys it (ADDON_CHARTS.certManager); CRDs in deploy/crds/ (the chart's CRD
	// templates without the Helm template lines).
	github.com/cert-manager/cert-manager v1.21.2
	// ECK (Elastic Cloud on Kubernetes), the operator of the logging chart's Elasticsearch and Kibana; its released
	// CRDs (kustomize-patched, as the operator's eck-operator-crds chart installs them) in config/crds/v1/all-crds.yaml.
	github.com/elastic/cloud-on-k8s/v3 v3.5.0
	// Envoy Gateway, the state stacks' Gateway API implementation; its own CRDs (gateway.envoyproxy.io) in
	// charts/gateway-helm/charts/crds/crds/generated/.
	github.com/envoyproxy/gateway v1.9.1
	// The Prometheus Operator of kube-prometheus-stack 88.5.3 and prometheus-operator-crds 31.0.1 (apps/infra);
	// CRDs in example/prometheus-operator-crd/.
	github.com/prometheus-operator/prometheus-operator v0.93.1
	// Gateway API, standard channel, the version Envoy Gateway v1.9.1 requires and bundles; CRDs in
	// config/crd/standard/.
	sigs.k8s.io/gateway-api v1.6.1
)
