import type { JSONRPCNotification, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { restoreProgress, type IdMap } from './id-map.js';
import type { LoggingLevels } from './logging-levels.js';
import type { ServerRequests } from './server-requests.js';
import type { SharedSession } from './session-state.js';
import type { ResourceSubscriptions } from './subscriptions.js';
import type { TaskIsolation } from './task-isolation.js';

export interface ChildNotificationRoutes {
  idMap: IdMap;
  levels: LoggingLevels;
  subscriptions: ResourceSubscriptions;
  serverRequests: ServerRequests;
  tasks: TaskIsolation;
  sessions(): Iterable<SharedSession>;
  deliver(session: SharedSession, message: JSONRPCNotification, relatedRequestId?: RequestId): void;
}

/**
 * Where each notification of the shared child goes. Anything tied to one session's traffic
 * (progress, cancellation of a server request, URL elicitation completion) reaches only that
 * session; a task's status and anything carrying related-task metadata reach the task's owner
 * only; log messages reach sessions whose level admits them; resource updates reach their
 * subscribers; everything else (list_changed, unknown notifications) reaches every session.
 */
export function routeChildNotification(routes: ChildNotificationRoutes, message: JSONRPCNotification): void {
  if (routes.tasks.routeNotification(message)) return;
  switch (message.method) {
    case 'notifications/progress': {
      const entry = routes.idMap.forProgress(message.params?.progressToken);
      if (entry) routes.deliver(entry.session, restoreProgress(entry, message), entry.request.id);
      else routes.tasks.routeProgress(message);
      return;
    }
    case 'notifications/cancelled':
      routes.serverRequests.handleChildCancel(message);
      return;
    case 'notifications/elicitation/complete':
      routes.serverRequests.handleElicitationComplete(message);
      return;
    case 'notifications/message':
      for (const session of routes.sessions()) {
        if (routes.levels.admits(session, message.params?.level)) routes.deliver(session, message);
      }
      return;
    case 'notifications/resources/updated':
      for (const session of routes.subscriptions.subscribersOf(message.params?.uri)) routes.deliver(session, message);
      return;
    default:
      for (const session of routes.sessions()) routes.deliver(session, message);
  }
}
