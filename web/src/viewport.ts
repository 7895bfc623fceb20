// viewport.ts - whether the screen is phone-sized (below 768 px), as a ref that follows
// rotation and resizing; pages use it to drop to one column.
import { onBeforeUnmount, onMounted, ref } from 'vue';

export function useNarrow(px = 767) {
  const mq = window.matchMedia(`(max-width: ${px}px)`);
  const narrow = ref(mq.matches);
  const on = () => { narrow.value = mq.matches; };
  onMounted(() => mq.addEventListener('change', on));
  onBeforeUnmount(() => mq.removeEventListener('change', on));
  return narrow;
}
