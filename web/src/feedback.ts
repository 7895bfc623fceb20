// feedback.ts - one way to tell people what happened: a success toast after a change, an
// error toast by code, and a confirmation before anything destructive.
import { ElMessage, ElMessageBox } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import type { ApiError } from './api/client';
import { errorTitle, tr } from './text';

export function success(key: string, params?: Record<string, unknown>) {
  ElMessage({ type: 'success', message: tr(key, params) || tr('common.done'), grouping: true, customClass: 'kx-toast-success' });
}

export function failure(e: unknown) {
  ElMessage({ type: 'error', message: errorTitle(e as ApiError), grouping: true, customClass: 'kx-toast-error' });
}

// Resolves true when the person confirms.
export async function confirmAction(messageKey: string, params?: Record<string, unknown>, danger = true): Promise<boolean> {
  try {
    await ElMessageBox.confirm(tr(messageKey, params), tr('common.confirmTitle'), {
      type: danger ? 'warning' : 'info', confirmButtonText: tr('common.yes'), cancelButtonText: tr('common.no'),
      confirmButtonClass: danger ? 'el-button--danger' : '', customClass: 'kx-confirm',
    });
    return true;
  } catch {
    return false;
  }
}
