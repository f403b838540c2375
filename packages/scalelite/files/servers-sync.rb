# frozen_string_literal: true

# Writes the server list for Scalelite's `rake servers:sync[path,mode,dryrun]`.
#
#   ruby servers-sync.rb SERVERS_YAML OUTPUT_YAML
#
# SERVERS_YAML is the chart's server list (its ConfigMap's servers.yaml), without the secrets:
#   servers:
#     - url: "https://bbb-01.example.org/bigbluebutton/api/"
#       secretEnv: SERVER_SECRET_0
#       loadMultiplier: 1
#       tag: ""
#       enabled: true
# Each secret is read from the environment variable named by secretEnv (filled from a Kubernetes Secret), and
# OUTPUT_YAML (mode 0600) receives the document Scalelite v1.8.5 reads in lib/server_sync.rb:
#   servers:
#     <id>: { url, secret, load_multiplier, tag, enabled }
# where <id> is the URL's host name (lower case), the id Scalelite gives servers with SERVER_ID_IS_HOSTNAME.
# The document is written with YAML.dump, so any character in a secret is quoted safely, and read back with
# YAML.safe_load, as servers:sync reads it, before it is written.
#
# servers:sync knows no state, only `enabled`: `enabled: false` cordons an enabled server (Scalelite's poller
# disables it once its load is 0) and leaves a new, cordoned or disabled one as it is.
#
# Nothing secret is printed: errors and the summary name servers and variables, never values.

require 'uri'
require 'yaml'

KEYS = %w[url secretEnv loadMultiplier tag enabled].freeze

def die(message)
  warn("servers-sync: #{message}")
  exit(1)
end

def server_id(url)
  uri = URI.parse(url)
  die("#{url} is not an http(s) URL with a host") unless uri.is_a?(URI::HTTP) && uri.host
  id = uri.host.downcase
  die("#{url}: host #{id} is not a valid server id") unless /\A[a-z0-9_.-]+\z/.match?(id)
  id
rescue URI::InvalidURIError
  die("#{url} is not a valid URL")
end

def secret_from(name)
  unless name.is_a?(String) && /\A[A-Za-z_][A-Za-z0-9_]*\z/.match?(name)
    die("secretEnv #{name.inspect} is not an environment variable name")
  end
  # Without a UTF-8 locale (the Scalelite image sets none) Ruby reads the environment as binary, which
  # YAML.dump would write as !binary: the bytes are taken as UTF-8 text instead.
  value = String.new(ENV.fetch(name, ''), encoding: Encoding::UTF_8)
  die("the secret in $#{name} is not UTF-8 text") unless value.valid_encoding?
  die("the secret in $#{name} is empty or unset") if value.strip.empty?
  die("the secret in $#{name} contains a line break") if value.match?(/[\r\n]/)
  value
end

def entry_for(server)
  die('every server must be a mapping') unless server.is_a?(Hash)
  unknown = server.keys - KEYS
  die("unknown keys #{unknown.join(', ')} (known: #{KEYS.join(', ')})") unless unknown.empty?

  url = server['url']
  die('every server needs a url') unless url.is_a?(String)
  multiplier = server.fetch('loadMultiplier', 1.0)
  die("#{url}: loadMultiplier must be a number above 0") unless multiplier.is_a?(Numeric) && multiplier.positive?
  tag = server.fetch('tag', '')
  die("#{url}: tag must be a string") unless tag.is_a?(String)
  enabled = server.fetch('enabled', true)
  die("#{url}: enabled must be true or false") unless [true, false].include?(enabled)

  # Own objects per server: YAML.dump writes an object met twice as an alias (hashes; strings in older Psych),
  # which safe_load refuses.
  [server_id(url), {
    'url' => String.new(url),
    'secret' => secret_from(server['secretEnv']),
    'load_multiplier' => Float(multiplier),
    'tag' => String.new(tag),
    'enabled' => enabled,
  }]
end

die('usage: ruby servers-sync.rb SERVERS_YAML OUTPUT_YAML') unless ARGV.length == 2
input, output = ARGV

begin
  document = YAML.safe_load(File.read(input))
rescue Psych::Exception, SystemCallError => e
  die("cannot read #{input}: #{e.message}")
end
list = document.is_a?(Hash) ? (document['servers'] || []) : nil
die("#{input} must hold a list of servers under `servers`") unless list.is_a?(Array)

servers = {}
list.each do |server|
  id, params = entry_for(server)
  die("two servers share the host #{id}") if servers.key?(id)
  servers[id] = params
end

document = { 'servers' => servers }
yaml = YAML.dump(document)
die('the written document does not read back as written') unless YAML.safe_load(yaml) == document

File.open(output, File::WRONLY | File::CREAT | File::TRUNC, 0o600) do |file|
  file.chmod(0o600)
  file.write(yaml)
end
summary = servers.map { |id, params| "#{id} (#{params['enabled'] ? 'enabled' : 'not enabled'})" }
puts("servers-sync: wrote #{servers.size} server(s) to #{output}: #{summary.join(', ')}")
