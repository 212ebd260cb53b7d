// vim25 faults as typed errors. Each fault kind is a subclass of VimFaultError (itself a MigrateKitError), so
// callers can `instanceof` the kind they handle and the API layer still sees an MKE_* code.
import { type ErrorCode, MigrateKitError } from '@migratekit/core';
import { type MoRef, parseMoRef } from '../vim-types';
import { child, textOf, type XmlNode } from '@migratekit/node-common';

export type VimFaultKind =
  | 'InvalidLogin'
  | 'NotAuthenticated'
  | 'ManagedObjectNotFound'
  | 'FileFault'
  | 'InvalidState'
  | 'TaskInProgress'
  | 'InvalidArgument'
  | 'MethodNotFound'
  | 'VimFault';

// vim25 fault subtypes that belong to one of the kinds above (the WSDL's inheritance, trimmed to the
// subtypes vCenter actually raises for the calls this client makes).
const SUBTYPE_KIND: Record<string, VimFaultKind> = {
  InvalidLogin: 'InvalidLogin',
  PasswordExpired: 'InvalidLogin',
  NotAuthenticated: 'NotAuthenticated',
  ManagedObjectNotFound: 'ManagedObjectNotFound',
  FileFault: 'FileFault',
  FileNotFound: 'FileFault',
  CannotAccessFile: 'FileFault',
  FileLocked: 'FileFault',
  FileAlreadyExists: 'FileFault',
  FileBackedPortNotSupported: 'FileFault',
  InvalidState: 'InvalidState',
  InvalidPowerState: 'InvalidState',
  InvalidHostState: 'InvalidState',
  InvalidDatastoreState: 'InvalidState',
  InvalidVmState: 'InvalidState',
  SnapshotLocked: 'InvalidState',
  TaskInProgress: 'TaskInProgress',
  VAppTaskInProgress: 'TaskInProgress',
  InvalidArgument: 'InvalidArgument',
  InvalidIndexArgument: 'InvalidArgument',
  InvalidRequest: 'InvalidArgument',
  InvalidType: 'InvalidArgument',
  MethodNotFound: 'MethodNotFound',
};

const KIND_CODE: Record<VimFaultKind, ErrorCode> = {
  InvalidLogin: 'MKE_VCENTER_AUTH',
  NotAuthenticated: 'MKE_VCENTER_AUTH',
  ManagedObjectNotFound: 'MKE_VSPHERE_OBJECT_NOT_FOUND',
  FileFault: 'MKE_VSPHERE_FAULT',
  InvalidState: 'MKE_VSPHERE_INVALID_STATE',
  TaskInProgress: 'MKE_VSPHERE_BUSY',
  InvalidArgument: 'MKE_VSPHERE_FAULT',
  MethodNotFound: 'MKE_NOT_IMPLEMENTED',
  VimFault: 'MKE_VSPHERE_FAULT',
};

export interface VimFaultDetail {
  /** The concrete vim25 fault type, e.g. "InvalidPowerState". */
  faultType: string;
  /** faultstring / localizedMessage from vCenter. */
  message: string;
  /** ManagedObjectNotFound.obj, TaskInProgress.task. */
  obj?: MoRef | undefined;
  /** FileFault.file. */
  file?: string | undefined;
  /** InvalidPowerState.existingState. */
  existingState?: string | undefined;
  /** InvalidArgument.invalidProperty. */
  invalidProperty?: string | undefined;
}

export class VimFaultError extends MigrateKitError {
  readonly kind: VimFaultKind;
  readonly faultType: string;
  readonly faultMessage: string;
  readonly obj: MoRef | undefined;
  readonly file: string | undefined;

  constructor(kind: VimFaultKind, detail: VimFaultDetail) {
    super(KIND_CODE[kind], {
      message: `${detail.faultType}: ${detail.message || 'vCenter fault'}`,
      details: {
        fault_type: detail.faultType,
        ...(detail.obj ? { object: `${detail.obj.type}:${detail.obj.value}` } : {}),
        ...(detail.file ? { file: detail.file } : {}),
        ...(detail.existingState ? { existing_state: detail.existingState } : {}),
        ...(detail.invalidProperty ? { invalid_property: detail.invalidProperty } : {}),
      },
    });
    this.name = `${kind}Error`;
    this.kind = kind;
    this.faultType = detail.faultType;
    this.faultMessage = detail.message;
    this.obj = detail.obj;
    this.file = detail.file;
  }
}

export class InvalidLoginError extends VimFaultError {}
export class NotAuthenticatedError extends VimFaultError {}
export class ManagedObjectNotFoundError extends VimFaultError {}
/** FileFault family; QueryChangedDiskAreas raises it for a change id vCenter no longer accepts. */
export class FileFaultError extends VimFaultError {}
export class InvalidStateError extends VimFaultError {}
export class TaskInProgressError extends VimFaultError {}
export class InvalidArgumentError extends VimFaultError {}
/** The server does not implement the method (vcsim has no QueryChangedDiskAreas). */
export class MethodNotFoundError extends VimFaultError {}

const KIND_CLASS: Record<VimFaultKind, new (kind: VimFaultKind, detail: VimFaultDetail) => VimFaultError> = {
  InvalidLogin: InvalidLoginError,
  NotAuthenticated: NotAuthenticatedError,
  ManagedObjectNotFound: ManagedObjectNotFoundError,
  FileFault: FileFaultError,
  InvalidState: InvalidStateError,
  TaskInProgress: TaskInProgressError,
  InvalidArgument: InvalidArgumentError,
  MethodNotFound: MethodNotFoundError,
  VimFault: VimFaultError,
};

function faultKind(faultType: string): VimFaultKind {
  return SUBTYPE_KIND[faultType] ?? 'VimFault';
}

function vimFault(detail: VimFaultDetail): VimFaultError {
  const kind = faultKind(detail.faultType);
  return new KIND_CLASS[kind](kind, detail);
}

function faultTypeOf(node: XmlNode): string {
  if (node.xsiType) return node.xsiType;
  // <InvalidLoginFault> without xsi:type: the element name is the type plus "Fault".
  return node.name.endsWith('Fault') && node.name !== 'Fault' ? node.name.slice(0, -'Fault'.length) : node.name;
}

/** Reads the typed fault object (the child of <detail>, or TaskInfo.error.fault). */
function faultFromNode(faultNode: XmlNode | undefined, message: string): VimFaultError {
  if (faultNode === undefined) return vimFault({ faultType: 'VimFault', message });
  return vimFault({
    faultType: faultTypeOf(faultNode),
    message,
    obj: parseMoRef(child(faultNode, 'obj')) ?? parseMoRef(child(faultNode, 'task')),
    file: textOf(faultNode, 'file'),
    existingState: textOf(faultNode, 'existingState'),
    invalidProperty: textOf(faultNode, 'invalidProperty'),
  });
}

/** Converts a SOAP <Fault> element (faultcode, faultstring, detail) into a typed error. */
export function parseSoapFault(fault: XmlNode): VimFaultError {
  const message = textOf(fault, 'faultstring') ?? '';
  const detail = child(fault, 'detail');
  return faultFromNode(detail?.children[0], message);
}

/** TaskInfo.error is a LocalizedMethodFault: { fault (xsi:type'd), localizedMessage }. */
export function parseLocalizedMethodFault(node: XmlNode | undefined): VimFaultError {
  return faultFromNode(child(node, 'fault'), textOf(node, 'localizedMessage') ?? '');
}

/**
 * True when QueryChangedDiskAreas refused the change id (vCenter answers FileFault for a stale one and
 * InvalidArgument for a malformed one): the caller then copies that disk in full.
 */
export function isChangeIdRejected(error: unknown): boolean {
  if (error instanceof FileFaultError) return true;
  if (!(error instanceof InvalidArgumentError)) return false;
  const property = error.details?.invalid_property;
  return property === undefined || property === 'changeId' || /changeId/i.test(error.faultMessage);
}
