# clip_f32 (array(float32, 1d, C), array(float32, 1d, C), np.float32, np.float32)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
block0:
  movq (%rdi), %r9
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r11
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %r10
  movq 0x38(%rdi), %rax
  vmovss 0x40(%rdi), %xmm0
  vmovss 0x48(%rdi), %xmm0
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label22; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %rbx
  addq $0x0, %rbx
  seto %cl
  cmpq %r10, %rbx
  setg %r10b
  orl %ecx, %r10d
  testb %r10b, %r10b
  jnz     label21; j label5
block5:
  movq 0x20(%rdi), %rsi
  movq 0x30(%rdi), %r8
  leaq (%rsi, %r8, 4), %r9
  movq (%rdi), %r8
  cmpq %r8, %r9
  setbe %r10b
  leaq (%r8, %rax, 4), %r9
  cmpq %rsi, %r9
  setbe %r9b
  orl %r9d, %r10d
  uninit  %rcx
  xorq %rcx, %rcx
  leaq -8(%rax), %r11
  movabsq $<address>, %r9
  cmpq (%rip), %rax
  cmovgeq %r11, %r9
  vmovss 0x48(%rdi), %xmm6
  vbroadcastss %xmm6, %xmm0
  vmovss 0x40(%rdi), %xmm7
  vbroadcastss %xmm7, %xmm1
  testb %r10b, %r10b
  jnz     label6; j label7
block6:
  jmp     label8
block7:
  jmp     label13
block8:
  cmpq %r9, %rcx
  jnle    label10; j label9
block9:
  vmovups (%r8, %rcx, 4), %xmm2
  uninit  %xmm3
  vpcmpeqd %xmm3, %xmm3, %xmm3
  vpsrld $0x1, %xmm3, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxps %xmm2, %xmm1, %xmm2
  vminps %xmm2, %xmm0, %xmm2
  vmovups %xmm2, (%rsi, %rcx, 4)
  leaq 4(%rcx), %r10
  vmovups (%r8, %r10, 4), %xmm2
  uninit  %xmm3
  vpcmpeqd %xmm3, %xmm3, %xmm3
  vpsrld $0x1, %xmm3, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxps %xmm2, %xmm1, %xmm2
  vminps %xmm2, %xmm0, %xmm2
  vmovups %xmm2, (%rsi, %r10, 4)
  leaq 8(%rcx), %rcx
  jmp     label8
block10:
  cmpq %rax, %rcx
  setl %r9b
  cmpq (%rip), %rax
  setge %r10b
  andl %r10d, %r9d
  leaq -4(%rax), %r10
  notq %r10
  shrq $0x3f, %r10
  testb %r9b, %r10b
  jnz     label12; j label11
block11:
  jmp     label13
block12:
  leaq -4(%rax), %r9
  subq %rcx, %r9
  uninit  %r10
  xorq %r10, %r10
  cmpq %r9, %r10
  movq %r9, %r11
  cmovlq %r10, %r11
  leaq (%rcx, %r11), %r10
  vmovups (%r8, %r10, 4), %xmm2
  uninit  %xmm3
  vpcmpeqd %xmm3, %xmm3, %xmm3
  vpsrld $0x1, %xmm3, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxps %xmm2, %xmm1, %xmm2
  vminps %xmm2, %xmm0, %xmm2
  vmovups %xmm2, (%rsi, %r10, 4)
  movl $0x4, %r10d
  cmpq %r9, %r10
  cmovlq %r10, %r9
  leaq (%rcx, %r9), %rcx
  vmovups (%r8, %rcx, 4), %xmm2
  uninit  %xmm3
  vpcmpeqd %xmm3, %xmm3, %xmm3
  vpsrld $0x1, %xmm3, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxps %xmm2, %xmm1, %xmm1
  vminps %xmm1, %xmm0, %xmm0
  vmovups %xmm0, (%rsi, %rcx, 4)
  movq %rax, %rcx
  jmp     label13
block13:
  jmp     label14
block14:
  cmpq %rax, %rcx
  jnl     label19; j label15
block15:
  vmovss (%r8, %rcx, 4), %xmm0
  movl $0x7fffffff, %r9d
  vmovd %r9d, %xmm1
  vandps %xmm1, %xmm0, %xmm0
  vmaxss %xmm0, %xmm7, %xmm0
  vminss %xmm0, %xmm6, %xmm0
  vmovss %xmm0, (%rsi, %rcx, 4)
  jmp     label16
block16:
  movabsq $<address>, %r9
  movl (%r9), %r9d
  leaq 1(%rcx), %rcx
  testl %r9d, %r9d
  jnz     label18; j label17
block17:
  jmp     label14
block19:
  jmp     label20
block20:
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block18:
  movq (%rdi), %rsi
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %r9
  movq 0x18(%rdi), %r10
  movq %rsi, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %r9, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq 0x20(%rdi), %rsi
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movq %rsi, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r10, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq %rcx, 0x70(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block22:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rsi
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movq %rsi, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r10, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
