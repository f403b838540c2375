-- Masks IP addresses in log records before the shipper sends them (Fluent Bit's lua filter, LuaJIT).
--
-- Every IPv4 and IPv6 address found in a string field of the record (`log`, `message`, `client_address`, and the
-- other fields the parsers took from the line) is truncated to its network part or replaced, as the environment
-- says:
--   MASK_MODE         truncate (default) | remove | keep
--   MASK_IPV4_PREFIX  bits of an IPv4 address `truncate` keeps, 0 to 24 (default 24: 203.0.113.7 -> 203.0.113.0)
--   MASK_IPV6_PREFIX  bits of an IPv6 address `truncate` keeps, 0 to 64 (default 48: 2001:db8:1:2::7 -> 2001:db8:1::)
-- `remove` writes 0.0.0.0 and :: instead. An IPv4-mapped IPv6 address (::ffff:203.0.113.7) is an IPv4 address and
-- is masked as one (::ffff:203.0.113.0). An unknown mode masks as `remove`, and a prefix length out of range keeps
-- no bits: a mistake stores less, never more. Nested maps (the Kubernetes metadata) are left alone.
--
-- Addresses are found without regular expressions (Lua patterns have no alternation): every run of hex digits,
-- colons and dots that is not part of a longer word is read as an IPv4 address, an IPv4 address with a port, an
-- IPv6 address, or an IPv6 address followed by a port (HAProxy writes `2001:db8::7:41000`); anything else in the
-- run is left as it is. Times (07:31:02), versions (4.6.1) and C++ or Java names (Foo::bar) are not addresses.
--
-- Fluent Bit calls mask_addresses(tag, timestamp, record) for every record; it returns 0 (record unchanged) or 2
-- (record modified, timestamp kept) with the record.

local floor = math.floor
local concat = table.concat
local find, sub, match, format = string.find, string.sub, string.match, string.format

local function setting(name)
  local value = os.getenv(name)
  if value == nil or value == '' then
    return nil
  end
  return value
end

local function prefix_length(name, default, most)
  local value = setting(name)
  if value == nil then
    return default
  end
  local bits = tonumber(value)
  if bits == nil or bits ~= floor(bits) or bits < 0 or bits > most then
    return 0
  end
  return bits
end

local MODE = setting('MASK_MODE') or 'truncate'
if MODE ~= 'truncate' and MODE ~= 'keep' then
  MODE = 'remove'
end
local IPV4_PREFIX = prefix_length('MASK_IPV4_PREFIX', 24, 24)
local IPV6_PREFIX = prefix_length('MASK_IPV6_PREFIX', 48, 64)

-- The four octets of a dotted IPv4 address, or nil.
local function ipv4_octets(text)
  local a, b, c, d = match(text, '^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)$')
  if a == nil then
    return nil
  end
  local octets = { tonumber(a), tonumber(b), tonumber(c), tonumber(d) }
  for i = 1, 4 do
    if octets[i] > 255 then
      return nil
    end
  end
  return octets
end

-- Splits `text` at `separator` (a single character) into a list; an empty text gives an empty list.
local function split(text, separator)
  local parts = {}
  if text == '' then
    return parts
  end
  local start = 1
  while true do
    local at = find(text, separator, start, true)
    if at == nil then
      parts[#parts + 1] = sub(text, start)
      return parts
    end
    parts[#parts + 1] = sub(text, start, at - 1)
    start = at + 1
  end
end

-- Appends the 16-bit groups written in `parts` (hex groups, the last may be a dotted IPv4 address) to `groups`;
-- false when a part is not a group.
local function read_groups(parts, groups, last_may_be_ipv4)
  for i = 1, #parts do
    local part = parts[i]
    if i == #parts and last_may_be_ipv4 and find(part, '.', 1, true) then
      local octets = ipv4_octets(part)
      if octets == nil then
        return false
      end
      groups[#groups + 1] = octets[1] * 256 + octets[2]
      groups[#groups + 1] = octets[3] * 256 + octets[4]
    elseif match(part, '^%x%x?%x?%x?$') then
      groups[#groups + 1] = tonumber(part, 16)
    else
      return false
    end
  end
  return true
end

-- The eight 16-bit groups of an IPv6 address, or nil.
local function ipv6_groups(text)
  if not find(text, ':', 1, true) or find(text, ':::', 1, true) then
    return nil
  end
  local gap = find(text, '::', 1, true)
  local groups = {}
  if gap == nil then
    if not read_groups(split(text, ':'), groups, true) or #groups ~= 8 then
      return nil
    end
    return groups
  end
  if find(text, '::', gap + 1, true) then
    return nil
  end
  local head, tail = {}, {}
  if not read_groups(split(sub(text, 1, gap - 1), ':'), head, false) then
    return nil
  end
  if not read_groups(split(sub(text, gap + 2), ':'), tail, true) then
    return nil
  end
  if #head + #tail > 7 then
    return nil
  end
  for i = 1, #head do
    groups[i] = head[i]
  end
  for i = #head + 1, 8 - #tail do
    groups[i] = 0
  end
  for i = 1, #tail do
    groups[8 - #tail + i] = tail[i]
  end
  return groups
end

-- Keeps the first `bits` bits of a list of `width`-bit numbers, zeroing the rest.
local function keep_bits(numbers, width, bits)
  local kept = {}
  for i = 1, #numbers do
    local first_bit = (i - 1) * width
    if bits >= first_bit + width then
      kept[i] = numbers[i]
    elseif bits <= first_bit then
      kept[i] = 0
    else
      local dropped = 2 ^ (width - (bits - first_bit))
      kept[i] = floor(numbers[i] / dropped) * dropped
    end
  end
  return kept
end

local function ipv4_text(octets)
  return format('%d.%d.%d.%d', octets[1], octets[2], octets[3], octets[4])
end

-- An IPv6 address as RFC 5952 writes it: lower-case groups without leading zeros, the longest run of two or more
-- zero groups (the first of equal ones) written as `::`.
local function ipv6_text(groups)
  local best_start, best_length = 0, 1
  local i = 1
  while i <= 8 do
    if groups[i] == 0 then
      local j = i
      while j < 8 and groups[j + 1] == 0 do
        j = j + 1
      end
      if j - i + 1 > best_length then
        best_start, best_length = i, j - i + 1
      end
      i = j + 1
    else
      i = i + 1
    end
  end
  local function hex(from, to)
    local parts = {}
    for k = from, to do
      parts[#parts + 1] = format('%x', groups[k])
    end
    return concat(parts, ':')
  end
  if best_start == 0 then
    return hex(1, 8)
  end
  return hex(1, best_start - 1) .. '::' .. hex(best_start + best_length, 8)
end

local function is_ipv4_mapped(groups)
  for i = 1, 5 do
    if groups[i] ~= 0 then
      return false
    end
  end
  return groups[6] == 0xffff
end

local function masked_ipv4(octets)
  if MODE == 'remove' then
    return '0.0.0.0'
  end
  return ipv4_text(keep_bits(octets, 8, IPV4_PREFIX))
end

local function masked_ipv6(groups)
  if is_ipv4_mapped(groups) then
    local octets = { floor(groups[7] / 256), groups[7] % 256, floor(groups[8] / 256), groups[8] % 256 }
    return '::ffff:' .. masked_ipv4(octets)
  end
  if MODE == 'remove' then
    return '::'
  end
  return ipv6_text(keep_bits(groups, 16, IPV6_PREFIX))
end

-- The masked form of one run of hex digits, colons and dots, or nil when it holds no address.
local function masked_run(run)
  local octets = ipv4_octets(run)
  if octets ~= nil then
    return masked_ipv4(octets)
  end
  local address, port = match(run, '^(%d+%.%d+%.%d+%.%d+)(:%d+)$')
  if address ~= nil then
    octets = ipv4_octets(address)
    return octets ~= nil and masked_ipv4(octets) .. port or nil
  end
  local groups = ipv6_groups(run)
  if groups ~= nil then
    return masked_ipv6(groups)
  end
  address, port = match(run, '^(.+)(:%d+)$')
  if address ~= nil then
    groups = ipv6_groups(address)
    if groups ~= nil then
      return masked_ipv6(groups) .. port
    end
  end
  return nil
end

local function is_word_character(character)
  return character ~= '' and find(character, '^[%w_]') ~= nil
end

-- The text with every address in it masked, and whether anything changed.
local function mask_text(text)
  local pieces = {}
  local copied = 1
  local position = 1
  local changed = false
  while true do
    local first, last = find(text, '[%x:%.]+', position)
    if first == nil then
      break
    end
    position = last + 1
    -- a single colon or dot around the run is punctuation ("client:10.0.0.1", "from 10.0.0.1.")
    if sub(text, first, first) == ':' and sub(text, first + 1, first + 1) ~= ':' then
      first = first + 1
    end
    while last > first and find(sub(text, last, last), '[:%.]') and sub(text, last - 1, last - 1) ~= ':' do
      last = last - 1
    end
    if not is_word_character(sub(text, first - 1, first - 1)) and not is_word_character(sub(text, last + 1, last + 1)) then
      local run = sub(text, first, last)
      local masked = masked_run(run)
      if masked ~= nil and masked ~= run then
        pieces[#pieces + 1] = sub(text, copied, first - 1)
        pieces[#pieces + 1] = masked
        copied = last + 1
        changed = true
      end
    end
  end
  if not changed then
    return text, false
  end
  pieces[#pieces + 1] = sub(text, copied)
  return concat(pieces), true
end

function mask_addresses(tag, timestamp, record)
  if MODE == 'keep' then
    return 0, timestamp, record
  end
  local modified = false
  for key, value in pairs(record) do
    if type(value) == 'string' then
      local masked, changed = mask_text(value)
      if changed then
        record[key] = masked
        modified = true
      end
    end
  end
  if not modified then
    return 0, timestamp, record
  end
  return 2, timestamp, record
end
