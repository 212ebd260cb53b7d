// TypeBox schemas of the network mapping API (docs/network-mapping.md); they are also the OpenAPI document the
// SDK is generated from.
import { Type } from '@sinclair/typebox';
import { Nullable, NullableTimestamp, Timestamp } from '../http/schemas';

const NullableString = Nullable(Type.String());
export const Kind = Type.Union([Type.Literal('production'), Type.Literal('test')]);
export const NetworkName = Type.String({ minLength: 1, maxLength: 255 });
export const NetworkId = Type.String({ minLength: 1, maxLength: 128 });
export const Reference = Type.String({ minLength: 1, maxLength: 255 });
export const StrategyName = Type.Union([Type.Literal('production'), Type.Literal('isolated'), Type.Literal('custom')]);
export const FailoverType = Type.Union([Type.Literal('live'), Type.Literal('test')]);

export const Mapping = Type.Object(
  {
    id: Type.String(),
    context_id: Type.String(),
    source_network_name: Type.String({ description: 'The real vSphere network name of the NIC' }),
    kind: Kind,
    is_test_network: Type.Boolean(),
    destination_network_id: Type.String(),
    destination_network_name: NullableString,
    validation_status: Type.Union([Type.Literal('pending'), Type.Literal('valid'), Type.Literal('invalid')]),
    validation_reason: NullableString,
    last_validated: NullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'NetworkMapping' },
);

export const VmNetworkStatus = Type.Object(
  {
    context_id: Type.String(),
    vm_name: Type.String(),
    context_status: Type.String(),
    status: Type.Union([Type.Literal('configured'), Type.Literal('needs_setup'), Type.Literal('error')]),
    configured: Type.Integer(),
    required: Type.Integer({ description: 'Two per source network: production and test' }),
    summary: Type.String({ description: 'X of Y configured' }),
    networks: Type.Array(
      Type.Object({
        source_network_name: Type.String(),
        nic_labels: Type.Array(Type.String()),
        production: Nullable(Mapping),
        test: Nullable(Mapping),
      }),
    ),
    missing: Type.Array(Type.Object({ source_network_name: Type.String(), kind: Kind })),
    invalid: Type.Array(Type.Object({ source_network_name: Type.String(), kind: Kind, reason: NullableString })),
    stale: Type.Array(Mapping),
  },
  { title: 'VmNetworkStatus' },
);

export const MappingWrite = Type.Object(
  { source_network_name: NetworkName, kind: Kind, destination_network_id: NetworkId },
  { additionalProperties: false },
);

export const LegacyCreateBody = Type.Object(
  {
    vm_id: Type.Optional({ ...Reference, description: 'Context id, VMware instance UUID or VM name' }),
    context_id: Type.Optional(Reference),
    source_network_name: NetworkName,
    destination_network_id: NetworkId,
    is_test_network: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const ContextWriteBody = Type.Object(
  { mappings: Type.Array(MappingWrite, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
);

export const PairBody = Type.Object(
  { production_network_id: Type.Optional(NetworkId), test_network_id: Type.Optional(NetworkId) },
  { additionalProperties: false, minProperties: 1 },
);

export const KindQuery = Type.Object({ kind: Kind }, { additionalProperties: false });

const CustomOverride = Type.Object(
  { destination_network_id: NetworkId, destination_network_name: Type.Optional(Nullable(NetworkName)) },
  { additionalProperties: false },
);
const NicPolicy = Type.Object(
  {
    mac_policy: Type.Optional(Type.Union([Type.Literal('keep_source'), Type.Literal('cloudstack')])),
    ip_policy: Type.Optional(Type.Union([Type.Literal('dhcp'), Type.Literal('static')])),
    ip_address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  },
  { additionalProperties: false },
);
const OverrideMap = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), CustomOverride, {
  description: 'Source network name -> destination, used by the custom strategy',
});
const PolicyMap = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), NicPolicy, {
  description: 'NIC MAC address (or label) -> MAC and IP policy',
});

export const Strategy = Type.Object(
  {
    context_id: Type.String(),
    strategy: Nullable(StrategyName),
    strict_mapping: Type.Boolean(),
    custom_overrides: OverrideMap,
    nic_policies: PolicyMap,
    updated_at: NullableTimestamp,
  },
  { title: 'NetworkStrategy' },
);

export const StrategyBody = Type.Object(
  {
    strategy: Type.Optional(Nullable(StrategyName)),
    strict_mapping: Type.Optional(Type.Boolean()),
    custom_overrides: Type.Optional(OverrideMap),
    nic_policies: Type.Optional(PolicyMap),
  },
  { additionalProperties: false },
);

export const ConfigQuery = Type.Object(
  { type: FailoverType, strategy: Type.Optional(StrategyName), strict: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const ValidateConfigBody = Type.Object(
  {
    type: FailoverType,
    strategy: Type.Optional(StrategyName),
    strict: Type.Optional(Type.Boolean()),
    custom_overrides: Type.Optional(OverrideMap),
    nic_policies: Type.Optional(PolicyMap),
  },
  { additionalProperties: false },
);

const Problem = Type.Object({ nic: NullableString, source_network_name: NullableString, reason: Type.String() });
const NetworkConfigFields = {
  context_id: Type.String(),
  vm_name: Type.String(),
  type: FailoverType,
  strategy: StrategyName,
  strict: Type.Boolean(),
  nics: Type.Array(
    Type.Object({
      index: Type.Integer(),
      label: Type.String(),
      source_network_name: Type.String(),
      source_mac_address: NullableString,
      adapter_type: NullableString,
      connected: Nullable(Type.Boolean()),
      destination_network_id: NullableString,
      destination_network_name: NullableString,
      destination_source: Nullable(
        Type.Union([Type.Literal('mapping'), Type.Literal('custom'), Type.Literal('default')]),
      ),
      mac_policy: Type.Union([Type.Literal('keep_source'), Type.Literal('cloudstack')]),
      mac_address: NullableString,
      ip_policy: Type.Union([Type.Literal('dhcp'), Type.Literal('static')]),
      ip_address: NullableString,
    }),
  ),
  warnings: Type.Array(Type.String()),
  errors: Type.Array(Problem),
  ok: Type.Boolean(),
};
export const NetworkConfig = Type.Object(NetworkConfigFields, { title: 'FailoverNetworkConfig' });
export const ValidatedNetworkConfig = Type.Object(
  { ...NetworkConfigFields, validated_at: Timestamp },
  { title: 'ValidatedFailoverNetworkConfig' },
);

export const BulkBody = Type.Object(
  {
    source_network_name: NetworkName,
    production_network_id: Type.Optional(NetworkId),
    test_network_id: Type.Optional(NetworkId),
    context_ids: Type.Optional(
      Type.Array(Reference, { minItems: 1, maxItems: 10_000, description: 'Absent: every VM with the network' }),
    ),
  },
  { additionalProperties: false },
);

const BulkPreviewFields = {
  source_network_name: Type.String(),
  vms_matched: Type.Integer(),
  changes: Type.Array(
    Type.Object({
      context_id: Type.String(),
      vm_name: Type.String(),
      kind: Kind,
      action: Type.Union([Type.Literal('create'), Type.Literal('replace'), Type.Literal('unchanged')]),
      from_network_id: NullableString,
      to_network_id: Type.String(),
      to_network_name: Type.String(),
    }),
  ),
  creates: Type.Integer(),
  replaces: Type.Integer(),
  unchanged: Type.Integer(),
  skipped: Type.Array(Type.Object({ context_id: Type.String(), vm_name: NullableString, reason: Type.String() })),
};
export const BulkPreview = Type.Object(BulkPreviewFields, { title: 'BulkRulePreview' });
export const BulkResult = Type.Object({ ...BulkPreviewFields, written: Type.Integer() }, { title: 'BulkRuleResult' });

export const AvailableNetwork = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.String({ description: 'Isolated, Shared or L2' }),
    zone_id: NullableString,
    zone_name: NullableString,
    state: NullableString,
    vlan: NullableString,
    cidr: NullableString,
    can_use_for_deploy: Type.Boolean(),
    in_configured_zone: Type.Boolean(),
    suitable_for: Type.Array(Kind),
    unsuitable_reason: NullableString,
  },
  { title: 'AvailableNetwork' },
);

export const ServiceOffering = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    display_text: NullableString,
    cpu_number: Nullable(Type.Number()),
    memory_mb: Nullable(Type.Number()),
    is_customized: Type.Boolean(),
  },
  { title: 'AvailableServiceOffering' },
);
