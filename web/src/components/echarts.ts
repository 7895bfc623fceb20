// echarts.ts - the parts of ECharts the app draws with (bar charts on a canvas). Imported
// dynamically by BarChart.vue, so ECharts is its own chunk loaded only with a chart.
import { init, use } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);
export { init };
