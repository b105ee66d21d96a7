// ECharts, imported piece by piece; this module is loaded only by the city dashboard.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent, MarkLineComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, MarkLineComponent, SVGRenderer]);

const COLORS = ['#0b5cab', '#c2410c', '#15803d', '#7c3aed', '#b91c1c'];

export function draw(el, option) {
  const chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: 'svg' });
  // A compact legend, so that three series fit on one line of a 320 px phone.
  const legend = option.legend && { itemWidth: 16, itemGap: 8, ...option.legend };
  chart.setOption({ color: COLORS, aria: { enabled: true }, animation: false, textStyle: { fontFamily: 'inherit' }, ...option, legend }, true);
  return chart;
}

export function dispose(el) {
  const c = echarts.getInstanceByDom(el);
  if (c) c.dispose();
}

export function resizeAll(els) {
  for (const el of els) { const c = echarts.getInstanceByDom(el); if (c) c.resize(); }
}
