// PropertyCollector access: RetrievePropertiesEx with paging through ContinueRetrievePropertiesEx, and
// ContainerViews so one call returns a property set for every object of the requested types.
import type { VimSession } from './soap/vim-session';
import { parseLocalizedMethodFault, type VimFaultError } from './soap/vim-faults';
import { type MoRef, parseMoRef } from './vim-types';
import { child, childrenNamed, textOf, type XmlNode } from '@migratekit/node-common';
import { leaf, leaves, moRefElement, node, type XmlFragment } from './xml/xml-writer';

export interface PropertyRequest {
  type: string;
  paths: readonly string[];
}

export interface ObjectContent {
  obj: MoRef;
  /** DynamicProperty values by property path; an unset property is simply absent. */
  props: Map<string, XmlNode>;
  missing: { path: string; fault: VimFaultError }[];
}

export interface RetrieveOptions {
  /** Page size hint (RetrieveOptions.maxObjects); the server may return fewer per page. */
  maxObjects?: number;
}

function propertySpec(request: PropertyRequest): XmlFragment {
  return node('propSet', [leaf('type', request.type), leaf('all', false), leaves('pathSet', request.paths)]);
}

/** ObjectSpec selecting every object a ContainerView holds (but not the view itself). */
function containerObjectSpec(view: MoRef): XmlFragment {
  return node('objectSet', [
    moRefElement('obj', view),
    leaf('skip', true),
    node(
      'selectSet',
      [leaf('name', 'traverseView'), leaf('type', 'ContainerView'), leaf('path', 'view'), leaf('skip', false)],
      { 'xsi:type': 'TraversalSpec' },
    ),
  ]);
}

export function directObjectSpec(obj: MoRef): XmlFragment {
  return node('objectSet', [moRefElement('obj', obj), leaf('skip', false)]);
}

function parseObjectContent(content: XmlNode): ObjectContent {
  const obj = parseMoRef(child(content, 'obj'));
  if (obj === undefined) throw new Error('ObjectContent without obj');
  const props = new Map<string, XmlNode>();
  for (const dynamicProperty of childrenNamed(content, 'propSet')) {
    const name = textOf(dynamicProperty, 'name');
    const val = child(dynamicProperty, 'val');
    if (name !== undefined && val !== undefined) props.set(name, val);
  }
  const missing = childrenNamed(content, 'missingSet').map((m) => ({
    path: textOf(m, 'path') ?? '',
    fault: parseLocalizedMethodFault(child(m, 'fault')),
  }));
  return { obj, props, missing };
}

function parseRetrieveResult(result: XmlNode | undefined): { objects: ObjectContent[]; token: string | undefined } {
  if (result === undefined) return { objects: [], token: undefined };
  const token = textOf(result, 'token')?.trim();
  return { objects: childrenNamed(result, 'objects').map(parseObjectContent), token: token || undefined };
}

/** Runs one PropertyFilterSpec and follows the paging token to the end. */
export async function retrieveAll(
  session: VimSession,
  objectSpecs: readonly XmlFragment[],
  requests: readonly PropertyRequest[],
  options: RetrieveOptions = {},
): Promise<ObjectContent[]> {
  const collector = session.serviceContent.propertyCollector;
  const specSet = node('specSet', [...requests.map(propertySpec), ...objectSpecs]);
  const retrieveOptions = node('options', [leaf('maxObjects', options.maxObjects)]);
  let page = parseRetrieveResult(await session.call('RetrievePropertiesEx', collector, [specSet, retrieveOptions]));
  const objects = [...page.objects];
  while (page.token !== undefined) {
    page = parseRetrieveResult(
      await session.call('ContinueRetrievePropertiesEx', collector, [leaf('token', page.token)]),
    );
    objects.push(...page.objects);
  }
  return objects;
}

/** Properties of one object; a deleted object surfaces as ManagedObjectNotFoundError from vCenter. */
export async function retrieveObject(
  session: VimSession,
  obj: MoRef,
  paths: readonly string[],
): Promise<ObjectContent> {
  const [content] = await retrieveAll(session, [directObjectSpec(obj)], [{ type: obj.type, paths }]);
  // A property we asked for that comes back in missingSet (NoPermission, ...) must not read as "unset".
  const failed = content?.missing[0];
  if (failed !== undefined) throw failed.fault;
  return content ?? { obj, props: new Map(), missing: [] };
}

async function createContainerView(
  session: VimSession,
  container: MoRef,
  types: readonly string[],
  recursive = true,
): Promise<MoRef> {
  const viewManager = session.serviceContent.viewManager;
  if (viewManager === undefined) throw new Error('vCenter has no ViewManager');
  const result = await session.call('CreateContainerView', viewManager, [
    moRefElement('container', container),
    leaves('type', types),
    leaf('recursive', recursive),
  ]);
  const view = parseMoRef(result);
  if (view === undefined) throw new Error('CreateContainerView returned no view');
  return view;
}

/** Every object of `requests`' types below `container`, in one paged retrieval; the view is destroyed after. */
export async function retrieveFromContainer(
  session: VimSession,
  container: MoRef,
  requests: readonly PropertyRequest[],
  options: RetrieveOptions = {},
): Promise<ObjectContent[]> {
  const view = await createContainerView(
    session,
    container,
    requests.map((r) => r.type),
  );
  try {
    return await retrieveAll(session, [containerObjectSpec(view)], requests, options);
  } finally {
    await session.call('DestroyView', view, []).catch((error: unknown) => {
      session.logger.warn({ view: view.value, error: String(error) }, 'vsphere DestroyView failed');
    });
  }
}
